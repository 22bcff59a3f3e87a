package org.lopt4j.cuda;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.lopt4j.gpu.KernelStruct;

/**
 * Turns an argument record into JCuda's kernel parameter array: one pointer per component, in component order, which
 * is the kernel's parameter order (rule 9). Component types: {@link CUdeviceptr} (a device pointer), {@code int}
 * (C int / unsigned int), {@code long} (long long), {@code float}, {@code double} and {@link KernelStruct} (a struct by value).
 * The record's accessors are looked up once per class through its {@link RecordComponent}s.
 */
final class LaunchArgs {
    private static final ClassValue<MethodHandle[]> ACCESSORS = new ClassValue<>() {
        @Override protected MethodHandle[] computeValue(Class<?> type) {
            RecordComponent[] rc = type.getRecordComponents();
            if (rc == null) throw new IllegalArgumentException(type.getName() + " is not a record");
            MethodHandle[] h = new MethodHandle[rc.length];
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (int i = 0; i < rc.length; i++) {
                checkType(type, rc[i]);
                try {
                    h[i] = lookup.unreflect(rc[i].getAccessor());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read component " + rc[i].getName() + " of " + type.getName(), e);
                }
            }
            return h;
        }
    };

    private LaunchArgs() {}

    /** The kernelParams pointer of {@code cuLaunchKernel} for {@code args}. */
    static Pointer pack(Record args) {
        MethodHandle[] accessors = ACCESSORS.get(args.getClass());
        Pointer[] params = new Pointer[accessors.length];
        for (int i = 0; i < accessors.length; i++) {
            Object v;
            try {
                v = accessors[i].invoke(args);
            } catch (Throwable t) {
                throw new IllegalStateException("reading argument " + i + " of " + args.getClass().getSimpleName(), t);
            }
            params[i] = switch (v) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer x -> Pointer.to(new int[] {x});
                case Long x -> Pointer.to(new long[] {x});
                case Float x -> Pointer.to(new float[] {x});
                case Double x -> Pointer.to(new double[] {x});
                case KernelStruct s -> Pointer.to(s.bytes());
                case null -> throw new IllegalArgumentException("argument " + i + " of " + args + " is null");
                default -> throw new IllegalArgumentException("argument " + i + " of " + args.getClass().getSimpleName()
                        + " has unsupported type " + v.getClass().getName());
            };
        }
        return Pointer.to(params);
    }

    private static void checkType(Class<?> record, RecordComponent c) {
        Class<?> t = c.getType();
        boolean ok = t == CUdeviceptr.class || t == int.class || t == long.class || t == float.class || t == double.class
                || KernelStruct.class.isAssignableFrom(t);
        if (!ok) {
            throw new IllegalArgumentException("kernel argument " + record.getSimpleName() + "." + c.getName()
                    + " has type " + t.getName() + "; kernels take CUdeviceptr, int, long, float, double or a KernelStruct");
        }
    }
}
