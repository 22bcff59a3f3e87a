package org.lopt4j.metatrain.selftrain;

import java.util.List;

/**
 * Everything a self-training run needs to continue exactly: the next outer step, the members, the lineage (every
 * generation so far, by id), the counters (NaN meta-losses replaced, non-finite gradient entries zeroed, member
 * updates skipped because they would have made a θ non-finite) and the seconds spent. Keys derive from the seed and the step, so the step is the position of every random stream.
 */
public record SelfTrainState(int step, Member[] members, List<Generation> lineage, long nanLosses, long nonFiniteGrads, long skippedUpdates, double seconds) {
    /** The slot whose latest evaluation is lowest (the lowest slot on ties), or −1 before any evaluation. */
    public int best() {
        int b = -1;
        for (int i = 0; i < members.length; i++) {
            double v = members[i].value();
            if (!Double.isNaN(v) && (b < 0 || v < members[b].value())) b = i;
        }
        return b;
    }
}
