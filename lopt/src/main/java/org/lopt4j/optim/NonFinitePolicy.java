package org.lopt4j.optim;

/** What an update does when a gradient element is NaN or infinite. A NaN never reaches the parameters. */
public enum NonFinitePolicy {
    /** Leave parameters and state untouched and count the skipped step (the default). */
    SKIP_AND_COUNT,
    /** Treat non-finite gradient elements as zero and take the step. */
    ZERO_NONFINITE,
    /** Throw {@link NonFiniteGradientException}. */
    THROW
}
