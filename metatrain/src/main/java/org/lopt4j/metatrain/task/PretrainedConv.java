package org.lopt4j.metatrain.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.optim.Adam;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * The fine-tuning tasks' pretrained body: the conv layers of an 8×8 conv net (3×3, 8 then 16 channels, 1,418
 * parameters with the head; sized so that ES over whole 200-step fine-tuning runs fits two cores) trained with Adam on
 * MNIST digits 0–4, shipped as {@value #RESOURCE} and made again by
 * {@code lopt4j pretrain} ({@link #pretrain}); the head is not part of it.
 */
public final class PretrainedConv {
    /** The shipped body, a resource beside this class. */
    public static final String RESOURCE = "conv8_mnist_0to4.safetensors";
    /** The digits the body was trained on. */
    public static final int[] SOURCE_CLASSES = {0, 1, 2, 3, 4};
    /** Image size, channels and batch of the architecture. */
    public static final int SIZE = 8, BATCH = 32;
    static final int[] CHANNELS = {8, 16};
    /** The recipe of the shipped body. */
    public static final int STEPS = 3000;
    public static final double LR = 3e-3;
    public static final long SEED = 0;

    private static volatile Map<String, float[]> shipped;

    private PretrainedConv() {}

    /** The architecture on {@code dataset} at 8×8, every class, trained from scratch. */
    public static ConvTask architecture(String name, String dataset, Path dataDir) {
        return new ConvTask(name, dataset, SIZE, CHANNELS, BATCH, dataDir);
    }

    /** The pretraining task: MNIST 8×8 digits 0–4 from scratch. */
    public static FineTuneTask source(Path dataDir) {
        return new FineTuneTask("Conv_Mnist8_0to4", architecture("Conv_Mnist8_0to4", "mnist", dataDir), SOURCE_CLASSES, Map.of());
    }

    /** Trains {@link #source} with Adam and returns the whole net (one member); {@link #bodyOf} takes its body. */
    public static Slab pretrain(int steps, double lr, long seed, Path dataDir, Backend b, InnerTrainer.Listener onStep) {
        return InnerTrainer.train(source(dataDir), Adam.optax(lr), steps, seed, 1, b, onStep).params();
    }

    /** The conv tensors of member 0 of {@code params} (laid out as {@link #source}'s layout, repeated per member). */
    public static Map<String, float[]> bodyOf(Slab params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        SlabLayout one = source(null).layout();
        float[] flat = params.flat().toFloatArray();
        for (int i = 0; i < one.count(); i++) {
            String n = one.names().get(i);
            if (n.startsWith("conv")) out.put(n, java.util.Arrays.copyOfRange(flat, one.offset(i), one.offset(i) + one.shape(i).numel()));
        }
        return out;
    }

    /** Writes a body as safetensors (atomically), with {@code metadata}. */
    public static void write(Path file, Map<String, float[]> body, Map<String, String> metadata) throws IOException {
        SlabLayout l = source(null).layout();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : body.entrySet()) {
            Shape s = l.shape(l.index(e.getKey()));
            tensors.put(e.getKey(), Tensor.of(ScalarBackend.INSTANCE, e.getValue(), s.dims()));
        }
        SafeTensors.write(file, tensors, metadata);
    }

    /** Reads a body written by {@link #write}, checking names and shapes against the architecture. */
    public static Map<String, float[]> read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file, ScalarBackend.INSTANCE);
        SlabLayout l = source(null).layout();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : c.tensors().entrySet()) {
            int i = l.names().indexOf(e.getKey());
            if (i < 0 || !e.getKey().startsWith("conv")) throw new IOException(file + ": '" + e.getKey() + "' is not a conv tensor of the fine-tuning net " + l.names());
            if (!e.getValue().shape().equals(l.shape(i))) throw new IOException(file + ": '" + e.getKey() + "' has shape " + e.getValue().shape() + ", expected " + l.shape(i));
            float[] v = e.getValue().toFloatArray();
            for (float x : v) if (!Float.isFinite(x)) throw new IOException(file + ": '" + e.getKey() + "' holds a non-finite value " + x);
            out.put(e.getKey(), v);
        }
        if (out.size() != 4) throw new IOException(file + ": expected the 4 conv tensors of the fine-tuning net, found " + out.keySet());
        return out;
    }

    /** The shipped body. */
    public static Map<String, float[]> shipped() {
        Map<String, float[]> s = shipped;
        if (s != null) return s;
        try (InputStream in = PretrainedConv.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the pretrained body " + RESOURCE + " is missing from the classpath");
            Path tmp = Files.createTempFile("lopt4j-pretrained", ".safetensors");
            try {
                Files.write(tmp, in.readAllBytes());
                s = read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the pretrained body " + RESOURCE + ": " + e.getMessage(), e);
        }
        shipped = s;
        return s;
    }
}
