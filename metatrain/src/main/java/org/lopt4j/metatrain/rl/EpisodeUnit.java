package org.lopt4j.metatrain.rl;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * One episode of an LHOPT iteration as a unit of work: its key, and the policy and observation normalizer as they stood
 * at the iteration's start. It plays the same episode in any JVM whose trainer was built from the same config, so an
 * actor thread or a Spark task can run it, and again after a retry.
 */
public record EpisodeUnit(int index, int k0, int k1, double[] policy, double[] normalizer) implements Serializable {
    /** What a unit played: the episode and its raw observations, which the learner folds into its normalizer. */
    public record Played(int index, Ppo.Episode episode, double[][] raw) implements Serializable {}

    /** Plays this unit's episode with {@code trainer}'s environment and network, leaving the trainer as it was. */
    public Played play(LhoptTrainer trainer) {
        LhoptConfig c = trainer.config();
        Ppo ppo = trainer.ppo();
        Slab p = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, ppo.params().layout());
        if (policy.length != p.layout().size()) throw new IllegalArgumentException("a policy of " + policy.length + " values for a network of " + p.layout().size());
        p.flat().assign(Tensor.of(ScalarBackend.INSTANCE, policy, policy.length).to(DType.F32));
        EwmaNormalizer norm = EwmaNormalizer.lhopt(LhoptObservation.size(c.richObservation()));
        norm.restore(normalizer);
        List<double[]> raw = new ArrayList<>();
        Ppo.Episode e = ppo.rolloutFrozen(p, trainer.env(true), new RandomKey(k0, k1), norm, c.outerSteps(), raw);
        return new Played(index, e, raw.toArray(double[][]::new));
    }
}
