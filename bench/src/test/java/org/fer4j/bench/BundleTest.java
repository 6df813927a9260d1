package org.fer4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BundleTest {

    @Test
    void absolutePathsBecomeTheirRunsPartOrTheirFileName() {
        assertEquals("fer4j train --data ../shared/data/fer2013.csv.gz --init-from runs/a/best.fer4j --out runs/b --lr 0.001",
                Bundle.portable("fer4j train --data ../shared/data/fer2013.csv.gz --init-from /home/me/x/runs/a/best.fer4j"
                        + " --out /home/me/x/runs/b/ --lr 0.001"));
        assertEquals("--init-from model.fer4j", Bundle.portable("--init-from /tmp/q/model.fer4j"));
        assertEquals("runs/x/y", Bundle.portablePath("/a/runs/b/runs/x/y"));
        assertEquals(".", Bundle.portablePath("/"));
        assertEquals("relative/path", Bundle.portablePath("relative/path"));
    }
}
