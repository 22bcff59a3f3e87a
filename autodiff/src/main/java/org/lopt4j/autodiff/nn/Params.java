package org.lopt4j.autodiff.nn;

import java.util.Map;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Slab;

/** The parameters of one forward pass: tape variables that view a parameter slab, looked up by full name. */
public record Params(Map<String, Var> vars, Slab slab) {
    public Var get(String name) {
        Var v = vars.get(name);
        if (v == null) throw new IllegalArgumentException("no parameter '" + name + "'; have " + vars.keySet());
        return v;
    }
}
