package org.lopt4j.learned;

import java.util.List;
import java.util.Map;
import org.lopt4j.tensor.TensorLike;

/**
 * A learned optimizer whose update is also written once over {@link TensorLike}, so that the autodiff tape can
 * differentiate an unroll with respect to θ (first-order truncated backprop meta-training). The update is the same
 * mathematics as the fused kernel, one parameter tensor of P members at a time, with θ shared by the members.
 */
public interface DifferentiableUpdate {
    /** The names of the per-element state buffers (each shaped like the parameter), in the order {@link #update} takes them. */
    List<String> stateBuffers();

    /**
     * One update of one parameter tensor of P members, flattened to {@code [P, n]}: returns the new parameters followed
     * by the new state buffers. {@code theta} maps one member's θ tensor names to values; {@code g} is an input (the
     * tape treats it as a constant); {@code steps[m]} is member m's own update count.
     */
    <T extends TensorLike<T>> List<T> update(Map<String, T> theta, T p, T g, List<T> state, int[] steps);
}
