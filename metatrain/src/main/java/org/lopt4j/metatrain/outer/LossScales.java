package org.lopt4j.metatrain.outer;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.metatrain.task.LossScale;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.TaskFamily;
import org.lopt4j.metatrain.train.Comparison;
import org.lopt4j.optim.Adam;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;

/**
 * Measures a family's {@link LossScale} by tasks.md §5's procedure at reduced size: for each of {@code samples} tasks
 * (keys 0, 1, …), Adam at each learning rate for {@code steps} steps on one seed; the task's initial loss and the
 * final point of the envelope of those runs ({@link AdamEnvelope#fromCurves}); both averaged over the tasks.
 */
public final class LossScales {
    private LossScales() {}

    /** A measured scale and the per-task values it averages. */
    public record Measured(LossScale scale, List<String> tasks, double[] initial, double[] adam) {}

    public static Measured measure(TaskFamily family, int samples, int steps, double[] lrs, Backend b) {
        double[] init = new double[samples], fin = new double[samples];
        List<String> names = new ArrayList<>();
        double si = 0, sf = 0;
        for (int i = 0; i < samples; i++) {
            Task t = family.sample(RandomKey.of(i));
            names.add(t.name());
            List<double[]> curves = new ArrayList<>();
            for (double lr : lrs) {
                Comparison.Run r = Comparison.run(t, Adam.lo(lr), steps, 0, 1, b, null);
                if (!r.diverged()) curves.add(r.curve());
            }
            if (curves.isEmpty()) throw new IllegalStateException("Adam diverged at every learning rate on " + t.name());
            init[i] = curves.get(0)[0];
            AdamEnvelope env = AdamEnvelope.fromCurves(curves);
            fin[i] = env.losses()[env.losses().length - 1];
            si += init[i] / samples;
            sf += fin[i] / samples;
        }
        return new Measured(new LossScale(si, sf), names, init, fin);
    }
}
