package org.lopt4j.autodiff.nn;

import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;

/** 2-D convolution over NHWC images with an HWIO kernel {@code <name>/w [kh, kw, in, out]} and bias {@code <name>/b}. */
public record Conv2d(String name, int kernel, int in, int out, int stride, boolean same) {
    public List<ParamSpec> params() {
        return List.of(new ParamSpec(name + "/w", Shape.of(kernel, kernel, in, out), Init.fanIn(kernel * kernel * in)),
                new ParamSpec(name + "/b", Shape.of(out), new Init.Zeros()));
    }

    public Var apply(Params p, Var x) {
        Nn.Padding pad = same ? Nn.Padding.same(x.dim(-3), x.dim(-2), kernel, kernel, stride) : Nn.Padding.VALID;
        return Nn.conv2d(x, p.get(name + "/w"), p.get(name + "/b"), stride, pad);
    }
}
