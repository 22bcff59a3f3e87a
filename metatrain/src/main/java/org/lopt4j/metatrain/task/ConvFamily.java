package org.lopt4j.metatrain.task;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * Small conv nets with sampled architecture ({@link ConvTask}: 3×3 SAME convs, stride 2 then 1, ReLU, mean pool,
 * linear head): depth in [minDepth, maxDepth], each layer's channels from {@code channels}, dataset, resolution and
 * batch size from the given choices.
 */
public record ConvFamily(String name, String[] datasets, int[] resolutions, int minDepth, int maxDepth, int[] channels, int[] batchSizes,
                         Path dataDir) implements TaskFamily {
    public ConvFamily {
        if (minDepth < 1 || maxDepth < minDepth) throw new IllegalArgumentException("conv family depth range [" + minDepth + ", " + maxDepth + "]");
    }

    private static double u(RandomKey k, int i) { return k.sample(Op.Dist.UNIFORM, DType.F64, i); }

    private static int pick(int[] a, double u) { return a[(int) (u * a.length)]; }

    @Override public Task sample(RandomKey key) {
        int depth = minDepth + (int) (u(key, 0) * (maxDepth - minDepth + 1));
        int[] ch = new int[depth];
        for (int i = 0; i < depth; i++) ch[i] = pick(channels, u(key, 1 + i));
        int res = pick(resolutions, u(key, 11));
        int bs = pick(batchSizes, u(key, 12));
        String dataset = datasets[(int) (u(key, 13) * datasets.length)];
        return new ConvTask("Conv_" + dataset + res + "_" + Arrays.toString(ch).replace(" ", "") + "_bs" + bs, dataset, res, ch, bs, dataDir);
    }

    @Override public List<Task> dataSamples() {
        return Arrays.stream(datasets).flatMap(d -> Arrays.stream(resolutions)
                .mapToObj(r -> (Task) new ConvTask("Conv_" + d + r, d, r, new int[] {channels[0]}, batchSizes[0], dataDir))).toList();
    }
}
