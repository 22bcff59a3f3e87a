package org.lopt4j.cuda;

/** Grid and block sizes of one launch (1-D blocks), computed from the sizes of the work, never literals. */
record LaunchGeometry(int gridX, int gridY, int gridZ, int blockX) {
    /** CUDA's limit on gridDim.y and gridDim.z (kernels loop when the work is larger). */
    static final int MAX_GRID_YZ = 65_535;
    /** CUDA's limit on gridDim.x. */
    static final long MAX_GRID_X = Integer.MAX_VALUE;

    LaunchGeometry {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ || blockX < 1 || blockX > 1024) {
            throw new IllegalArgumentException("bad launch geometry: grid (" + gridX + ", " + gridY + ", " + gridZ
                    + "), block " + blockX);
        }
    }

    /**
     * A 1-D grid-stride launch over {@code work} items, {@code block} threads per block and at most
     * {@code maxBlocks} blocks (the kernel's loop covers the rest).
     */
    static LaunchGeometry gridStride(long work, int block, long maxBlocks) {
        long blocks = Math.max(1, Math.min((work + block - 1) / block, Math.min(maxBlocks, MAX_GRID_X)));
        return new LaunchGeometry((int) blocks, 1, 1, block);
    }

    @Override public String toString() { return "grid(" + gridX + "," + gridY + "," + gridZ + ") block(" + blockX + ")"; }
}
