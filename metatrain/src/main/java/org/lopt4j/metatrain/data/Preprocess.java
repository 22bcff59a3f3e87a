package org.lopt4j.metatrain.data;

/**
 * learned_optimization's image pipeline (tasks.md §2, {@code _image_map_fn}), applied to a whole split of uint8 NHWC
 * images: (1) bilinear resize to {@code height}×{@code width} when the size differs ({@link Resize}: no antialiasing,
 * half-pixel centres, float results in [0, 255], not rounded); (2) channel tiling {@code stackChannels} times (only for
 * one-channel images, as upstream asserts); (3) {@code / 255} in float; (4) optionally grayscale = mean over channels
 * (as {@code Cifar10BW8} uses). Per-channel mean/std normalization (upstream's {@code normalize_mean}) is not
 * implemented: no task on the available datasets uses it.
 */
public record Preprocess(int height, int width, int stackChannels, boolean grayscale) {
    public Preprocess {
        if (height <= 0 || width <= 0 || stackChannels <= 0) {
            throw new IllegalArgumentException("preprocess: size " + height + "x" + width + " and stackChannels " + stackChannels + " must be positive");
        }
    }

    /** Resize to {@code size}×{@code size} and scale to [0, 1], nothing else (the MNIST-family tasks). */
    public static Preprocess resize(int size) { return new Preprocess(size, size, 1, false); }

    /** The same pipeline ending with a mean over channels. */
    public Preprocess withGrayscale() { return new Preprocess(height, width, stackChannels, true); }

    /** The same pipeline tiling one-channel images {@code k} times. */
    public Preprocess withStackChannels(int k) { return new Preprocess(height, width, k, grayscale); }

    /** Channels of the output for {@code c} input channels. */
    public int channels(int c) {
        int tiled = stackChannels == 1 ? c : stackChannels;
        if (stackChannels != 1 && c != 1) {
            throw new IllegalArgumentException("stackChannels " + stackChannels + " needs one-channel images, got " + c + " channels");
        }
        return grayscale ? 1 : tiled;
    }

    /** The pipeline on {@code n} uint8 images {@code [h, w, c]}: floats {@code [n, height, width, channels(c)]}. */
    public float[] apply(byte[] u8, int n, int h, int w, int c) {
        float[] resized;
        if (h == height && w == width) {
            resized = new float[n * h * w * c];
            for (int i = 0; i < resized.length; i++) resized[i] = u8[i] & 0xFF;
        } else {
            resized = Resize.bilinear(u8, n, h, w, c, height, width);
        }
        return afterResize(resized, n, c);
    }

    /**
     * Steps 2 to 4 on {@code n} already resized images {@code [height, width, c]} with values in [0, 255]; divides
     * {@code resized} in place (callers pass a fresh array).
     */
    float[] afterResize(float[] resized, int n, int c) {
        int pixels = height * width;
        if (resized.length != n * pixels * c) {
            throw new IllegalArgumentException("preprocess: " + resized.length + " values for " + n + " images of " + height + "x" + width + "x" + c);
        }
        channels(c); // validates tiling
        int tiledC = stackChannels == 1 ? c : stackChannels;
        float[] tiled = resized;
        if (stackChannels != 1) {
            tiled = new float[n * pixels * stackChannels];
            for (int p = 0; p < n * pixels; p++) java.util.Arrays.fill(tiled, p * stackChannels, (p + 1) * stackChannels, resized[p]);
        }
        float[] scaled = tiled;
        for (int i = 0; i < scaled.length; i++) scaled[i] /= 255f;
        if (!grayscale || tiledC == 1) return scaled;
        float[] gray = new float[n * pixels];
        for (int p = 0; p < gray.length; p++) {
            float sum = 0;
            for (int ch = 0; ch < tiledC; ch++) sum += scaled[p * tiledC + ch];
            gray[p] = sum / tiledC;
        }
        return gray;
    }
}
