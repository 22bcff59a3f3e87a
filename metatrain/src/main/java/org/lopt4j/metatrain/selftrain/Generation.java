package org.lopt4j.metatrain.selftrain;

/**
 * One generation of one population slot, a node of the lineage tree: its id, the slot, the generation it was copied
 * from ({@code -1} for a random initialization), the outer step it started at and its hyperparameters.
 */
public record Generation(int id, int slot, int parent, int startStep, Hyperparameters hyper) {}
