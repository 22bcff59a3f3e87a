package org.lopt4j.optim;

/** A gradient held NaN or infinite values under {@link NonFinitePolicy#THROW}. */
public final class NonFiniteGradientException extends ArithmeticException {
    public NonFiniteGradientException(String message) { super(message); }
}
