package org.lopt4j.optim;

/**
 * Newton–Schulz orthogonalization of one matrix in double (Muon's quintic; celo2.md §1.2): transpose when it has more
 * rows than columns, divide by (Frobenius norm + eps), then 5 times {@code A = X·Xᵀ; X ← c0·X + (c1·A + c2·A·A)·X}
 * with (c0, c1, c2) = (3.4445, −4.7750, 2.0315); transpose back. CELO2 uses eps 1e-8, Muon 1e-7.
 */
public final class NewtonSchulz {
    public static final double C0 = 3.4445, C1 = -4.7750, C2 = 2.0315, EPS = 1e-8, MUON_EPS = 1e-7;
    public static final int STEPS = 5;

    private NewtonSchulz() {}

    /** Orthogonalizes the row-major {@code rows × cols} matrix at {@code x[at …]} in place, with CELO2's eps. */
    public static void orthogonalize(double[] x, int at, int rows, int cols) { orthogonalize(x, at, rows, cols, EPS); }

    /** {@link #orthogonalize(double[], int, int, int)} dividing by (Frobenius norm + {@code eps}). */
    public static void orthogonalize(double[] x, int at, int rows, int cols, double eps) {
        boolean tr = rows > cols;
        int r = tr ? cols : rows, c = tr ? rows : cols;
        double[] m = new double[r * c];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[tr ? j * c + i : i * c + j] = x[at + i * cols + j];
        double norm = 0;
        for (double v : m) norm += v * v;
        norm = Math.sqrt(norm) + eps;
        for (int i = 0; i < m.length; i++) m[i] /= norm;
        double[] a = new double[r * r], b = new double[r * r], next = new double[r * c];
        for (int it = 0; it < STEPS; it++) {
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    double s = 0;
                    for (int k = 0; k < c; k++) s += m[i * c + k] * m[j * c + k];
                    a[i * r + j] = s;
                }
            }
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    double s = 0;
                    for (int k = 0; k < r; k++) s += a[i * r + k] * a[k * r + j];
                    b[i * r + j] = C1 * a[i * r + j] + C2 * s;
                }
            }
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    double s = C0 * m[i * c + j];
                    for (int k = 0; k < r; k++) s += b[i * r + k] * m[k * c + j];
                    next[i * c + j] = s;
                }
            }
            System.arraycopy(next, 0, m, 0, m.length);
        }
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) x[at + i * cols + j] = m[tr ? j * c + i : i * c + j];
    }
}
