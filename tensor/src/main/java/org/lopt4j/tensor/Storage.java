package org.lopt4j.tensor;

/** A flat buffer of one dtype owned by one backend; tensors are strided views into it. */
public interface Storage {
    DType dtype();

    /** Number of elements. */
    int length();

    /** Copies {@code src} into elements {@code [offset, offset + src.length)}. F32 storages only. */
    void write(int offset, float[] src);

    /** Copies {@code src} into elements {@code [offset, offset + src.length)}. F64 storages only. */
    void write(int offset, double[] src);

    /** Copies {@code src} into elements {@code [offset, offset + src.length)}. I32 storages only. */
    void write(int offset, int[] src);

    /** Copies elements {@code [offset, offset + dst.length)} into {@code dst}. F32 storages only. */
    void read(int offset, float[] dst);

    /** Copies elements {@code [offset, offset + dst.length)} into {@code dst}. F64 storages only. */
    void read(int offset, double[] dst);

    /** Copies elements {@code [offset, offset + dst.length)} into {@code dst}. I32 storages only. */
    void read(int offset, int[] dst);
}
