package org.lopt4j.metatrain.outer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lopt4j.metatrain.task.LossScale;
import org.lopt4j.metatrain.task.NormalizedTask;
import org.lopt4j.metatrain.task.QuadraticFamily;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.TaskFamilies;
import org.lopt4j.metatrain.task.TaskFamily;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * A weighted mixture of task families, written {@code mix:FAMILY[*WEIGHT],…} (families of {@code lopt4j tasks}, a
 * fixed task name as a family of one, or {@code QuadraticFamily_D}). A key draws a family by weight, then a task of
 * it, normalized by the family's {@link LossScale}; the same key always gives the same task.
 */
public final class TaskMixture {
    /** The prefix that marks a mixture in a config's {@code task}. */
    public static final String PREFIX = "mix:";

    /** One family of the mixture, its weight and loss scale (null: the task's own normalizer only). */
    public record Component(String name, TaskFamily family, double weight, LossScale scale) {}

    private final List<Component> components;
    private final double total;

    public TaskMixture(List<Component> components) {
        if (components.isEmpty()) throw new IllegalArgumentException("a task mixture needs at least one family");
        this.components = List.copyOf(components);
        double t = 0;
        for (Component c : components) {
            if (!(c.weight() > 0 && Double.isFinite(c.weight()))) throw new IllegalArgumentException("mixture weight of " + c.name() + " must be positive, got " + c.weight());
            t += c.weight();
        }
        this.total = t;
    }

    /** Whether {@code task} names a mixture. */
    public static boolean is(String task) { return task.startsWith(PREFIX); }

    /** Parses {@code mix:a,b*2,…}. */
    public static TaskMixture parse(String spec, Path dataDir, Backend backend) {
        if (!is(spec)) throw new IllegalArgumentException("a task mixture starts with '" + PREFIX + "', got '" + spec + "'");
        List<Component> cs = new ArrayList<>();
        for (String part : spec.substring(PREFIX.length()).split(",")) {
            String p = part.strip();
            if (p.isEmpty()) throw new IllegalArgumentException("empty family in task mixture '" + spec + "'");
            double w = 1;
            int star = p.indexOf('*');
            if (star >= 0) {
                try {
                    w = Double.parseDouble(p.substring(star + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("mixture weight '" + p.substring(star + 1) + "' of " + p.substring(0, star) + " is not a number");
                }
                p = p.substring(0, star);
            }
            cs.add(component(p, w, dataDir, backend));
        }
        return new TaskMixture(cs);
    }

    private static Component component(String name, double w, Path dataDir, Backend backend) {
        TaskFamilies.Entry e = TaskFamilies.entry(name);
        if (e != null) return new Component(name, e.make().apply(dataDir), w, e.scale());
        QuadraticFamily q = QuadraticFamily.parse(name, backend);
        if (q != null) return new Component(name, q, w, null);
        if (!Tasks.names().contains(name)) {
            throw new IllegalArgumentException("unknown family or task '" + name + "' in a task mixture; families: " + TaskFamilies.names() + "; tasks: `lopt4j tasks`");
        }
        Task fixed = Tasks.byName(name, dataDir);
        return new Component(name, new TaskFamily() {
            @Override public String name() { return name; }
            @Override public Task sample(RandomKey key) { return fixed; }
            @Override public List<Task> dataSamples() { return List.of(fixed); }
        }, w, null);
    }

    public List<Component> components() { return components; }

    /** The component {@code key} draws. */
    public int componentOf(RandomKey key) {
        double u = key.sample(Op.Dist.UNIFORM, DType.F64, 0) * total, acc = 0;
        for (int i = 0; i < components.size(); i++) {
            acc += components.get(i).weight();
            if (u < acc) return i;
        }
        return components.size() - 1;
    }

    /** The task {@code key} draws (normalized by its family's scale); {@link MixtureEstimator} keeps what it builds on it. */
    public Task task(RandomKey key) {
        Component c = components.get(componentOf(key));
        Task t = c.family().sample(key.child(1));
        return c.scale() == null ? t : new NormalizedTask(t, c.scale());
    }

    @Override public String toString() {
        StringBuilder b = new StringBuilder(PREFIX);
        for (int i = 0; i < components.size(); i++) b.append(i == 0 ? "" : ",").append(components.get(i).name()).append('*').append(components.get(i).weight());
        return b.toString();
    }
}
