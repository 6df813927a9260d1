package org.fer4j.datasets;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.data.BatchSource;
import org.fer4j.engine.io.Normalization;

/**
 * One split of a prepared data set as the trainer's {@link BatchSource}: images stay {@code uint8}
 * in the shared array and become float only batch by batch, augmented (training split) and
 * normalized on the way.
 *
 * <pre>
 * one pass (epoch) with seed s:
 *   slots    0 .. base-1 are the samples; base .. size-1 the oversampling extras drawn from s
 *   order    the slots, shuffled from s (Fisher-Yates) when asked
 *   batch b  slots order[b*B .. b*B+B):  x [n, 1, H, W] float, y [n]
 *   sample   uint8 -&gt; float 0..255 -&gt; augment with Random(seed, s, slot)
 *   batch    mixup / cutmix, if asked, with Random(seed, s, b) -&gt; normalize
 * </pre>
 *
 * Every batch is a pure function of (seed, s, b), built by background threads a few batches ahead
 * of the trainer: the batches are the same whatever the number of threads, or with none. Each
 * sample's augmentation depends on the source's seed, the pass's seed (the trainer gives each epoch
 * its own) and the slot, never on timing. Threads are daemons; {@link #close()} ends them early.
 */
public final class ImageBatchSource implements BatchSource, AutoCloseable {
    /** Keeps a batch's mixing generator apart from its samples' (slot numbers are small too). */
    private static final long MIX_STREAM = 0x6D69787570L;

    private final byte[] pixels;
    private final int[] index;
    private final int[] labels;
    private final int height;
    private final int width;
    private final int classes;
    private final Normalization normalization;
    private final Augmentation augmentation;
    private final long seed;
    private final int[] extras;       // [classes] oversampling extras per pass
    private final int[][] members;    // [classes][n_c] samples of each class
    private final double oversample;
    private final int threads;
    private ExecutorService pool;

    /**
     * @param pixels        {@code [*, height, width]} uint8, shared
     * @param index         where each sample's image is in {@code pixels}
     * @param labels        each sample's class
     * @param oversample    0 for none; else raise every class to at least this fraction of the
     *                      largest class per pass, in (0, 1]
     * @param threads       prefetch threads; 0 builds batches in the caller's thread
     */
    ImageBatchSource(byte[] pixels, int[] index, int[] labels, int height, int width, int classes,
                     Normalization normalization, Augmentation augmentation, long seed, double oversample, int threads) {
        if (index.length != labels.length) {
            throw new IllegalArgumentException(index.length + " samples but " + labels.length + " labels");
        }
        if (!(oversample >= 0 && oversample <= 1)) {
            throw new IllegalArgumentException("--oversample must be in [0, 1], got " + oversample);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--prefetch threads must be >= 0, got " + threads);
        }
        this.pixels = pixels;
        this.index = index.clone();
        this.labels = labels.clone();
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.normalization = normalization;
        this.augmentation = augmentation == null ? Augmentation.NONE : augmentation;
        this.seed = seed;
        this.oversample = oversample;
        this.threads = threads;
        int[] counts = new int[classes];
        for (int y : labels) {
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " outside 0.." + (classes - 1));
            }
            counts[y]++;
        }
        members = new int[classes][];
        int[] fill = new int[classes];
        for (int c = 0; c < classes; c++) {
            members[c] = new int[counts[c]];
        }
        for (int i = 0; i < labels.length; i++) {
            members[labels[i]][fill[labels[i]]++] = i;
        }
        extras = new int[classes];
        if (oversample > 0) {
            int max = 0;
            for (int c : counts) {
                max = Math.max(max, c);
            }
            int target = (int) Math.ceil(oversample * max);
            for (int c = 0; c < classes; c++) {
                extras[c] = counts[c] == 0 ? 0 : Math.max(0, target - counts[c]);
            }
        }
    }

    /** The same samples with {@code threads} prefetch threads (0: none). */
    public ImageBatchSource withPrefetchThreads(int threads) {
        return new ImageBatchSource(pixels, index, labels, height, width, classes, normalization, augmentation, seed,
                oversample, threads);
    }

    /** The same samples without augmentation or oversampling: e.g. to evaluate on the training set. */
    public ImageBatchSource plain() {
        return new ImageBatchSource(pixels, index, labels, height, width, classes, normalization, Augmentation.NONE,
                seed, 0, threads);
    }

    /**
     * The samples whose class has a target, labelled with it, without augmentation or oversampling:
     * {@code target[c]} is the new label of class {@code c} in {@code 0..classes-1}, or -1 to leave
     * its samples out. For evaluating a model on data whose classes differ ({@link ClassMatch}).
     */
    public ImageBatchSource relabel(int[] target, int classes) {
        if (target.length != this.classes) {
            throw new IllegalArgumentException(target.length + " targets for " + this.classes + " classes");
        }
        int kept = 0;
        for (int y : labels) {
            kept += target[y] >= 0 ? 1 : 0;
        }
        int[] keptIndex = new int[kept];
        int[] keptLabels = new int[kept];
        int at = 0;
        for (int i = 0; i < labels.length; i++) {
            if (target[labels[i]] >= 0) {
                keptIndex[at] = index[i];
                keptLabels[at++] = target[labels[i]];
            }
        }
        return new ImageBatchSource(pixels, keptIndex, keptLabels, height, width, classes, normalization, Augmentation.NONE,
                seed, 0, threads);
    }

    /** Samples in one pass: the images of this split plus the oversampling extras. */
    @Override
    public int size() {
        int n = index.length;
        for (int e : extras) {
            n += e;
        }
        return n;
    }

    /** Distinct images in this split (without oversampling extras). */
    public int imageCount() {
        return index.length;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {1, height, width};
    }

    @Override
    public int classes() {
        return classes;
    }

    /** Images per class in this split, without oversampling. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int c = 0; c < classes; c++) {
            counts[c] = members[c].length;
        }
        return counts;
    }

    public int label(int sample) {
        return labels[sample];
    }

    /** The stored grey image of sample {@code sample}, 0..255, before augmentation and normalization. */
    public byte[] image(int sample) {
        int size = height * width;
        byte[] out = new byte[size];
        System.arraycopy(pixels, index[sample] * size, out, 0, size);
        return out;
    }

    /**
     * Sample {@code sample} as the pass with seed {@code passSeed} augments it, before normalization
     * (values 0..255): what a batch holds for it, un-normalized. For previews and tests.
     */
    public float[] augmentedImage(int sample, long passSeed) {
        int size = height * width;
        float[] x = new float[size];
        for (int k = 0; k < size; k++) {
            x[k] = pixels[index[sample] * size + k] & 0xFF;
        }
        if (!augmentation.isIdentity()) {
            augmentation.apply(x, 0, height, width, new SplittableRandom(Seeds.mix(Seeds.mix(seed, passSeed), sample)));
        }
        return x;
    }

    public Normalization normalization() {
        return normalization;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    /** Mean and standard deviation of the raw pixel values (0..255) over this split's images. */
    public double[] pixelStats() {
        int size = height * width;
        long sum = 0;
        long sumSq = 0;
        for (int i : index) {
            for (int k = i * size; k < (i + 1) * size; k++) {
                int v = pixels[k] & 0xFF;
                sum += v;
                sumSq += (long) v * v;
            }
        }
        double n = (double) index.length * size;
        if (n == 0) {
            return new double[] {0, 1};
        }
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(Math.max(0, sumSq / n - mean * mean))};
    }

    @Override
    public Iterator<Batch> batches(int batchSize, boolean shuffle, long passSeed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        int[] samples = passSamples(passSeed);
        int[] order = new int[samples.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom random = new SplittableRandom(passSeed);
            for (int i = order.length - 1; i > 0; i--) {   // Fisher-Yates, as ArrayDataset
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return new Prefetch(samples, order, batchSize, passSeed);
    }

    /**
     * Slot to sample for one pass: the samples themselves, then per class its extras: whole copies
     * of the class, and the remainder drawn without replacement from a shuffle seeded by the pass.
     */
    int[] passSamples(long passSeed) {
        int[] samples = new int[size()];
        for (int i = 0; i < index.length; i++) {
            samples[i] = i;
        }
        int at = index.length;
        for (int c = 0; c < classes; c++) {
            int n = members[c].length;
            if (extras[c] == 0) {
                continue;
            }
            int full = extras[c] / n;
            for (int r = 0; r < full; r++) {
                System.arraycopy(members[c], 0, samples, at, n);
                at += n;
            }
            int[] pick = members[c].clone();
            SplittableRandom random = new SplittableRandom(Seeds.mix(passSeed ^ 0x6F766572L, c));
            for (int k = 0; k < extras[c] % n; k++) {   // partial Fisher-Yates
                int j = k + random.nextInt(n - k);
                int t = pick[k];
                pick[k] = pick[j];
                pick[j] = t;
                samples[at++] = pick[k];
            }
        }
        return samples;
    }

    /** Batch {@code b} of a pass: pure, so any thread may build it. */
    private Batch build(int[] samples, int[] order, int batchSize, int b, long passSeed) {
        int from = b * batchSize;
        int n = Math.min(batchSize, order.length - from);
        int size = height * width;
        float[] x = new float[n * size];
        int[] y = new int[n];
        boolean augment = !augmentation.isIdentity();
        long passKey = Seeds.mix(seed, passSeed);
        for (int i = 0; i < n; i++) {
            int slot = order[from + i];
            int s = samples[slot];
            int src = index[s] * size;
            int dst = i * size;
            for (int k = 0; k < size; k++) {
                x[dst + k] = pixels[src + k] & 0xFF;
            }
            if (augment) {
                augmentation.apply(x, dst, height, width, new SplittableRandom(Seeds.mix(passKey, slot)));
            }
            y[i] = labels[s];
        }
        Augmentation.Mix mix = augmentation.mixesBatches()
                ? augmentation.mix(x, y, n, height, width, new SplittableRandom(Seeds.mix(passKey ^ MIX_STREAM, b)))
                : null;
        normalization.apply(x);
        Tensor t = new Tensor(x, n, 1, height, width);
        return mix == null ? new Batch(t, y) : new Batch(t, y, mix.yMix(), mix.lambda());
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "fer4j-batches");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Stops the prefetch threads; the source stays usable (a later pass starts new ones). */
    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    /** Keeps up to {@code 2 * threads} batches in flight ahead of the consumer, returned in order. */
    private final class Prefetch implements Iterator<Batch> {
        private final int[] samples;
        private final int[] order;
        private final int batchSize;
        private final long passSeed;
        private final int total;
        private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
        private int submitted;
        private int returned;

        Prefetch(int[] samples, int[] order, int batchSize, long passSeed) {
            this.samples = samples;
            this.order = order;
            this.batchSize = batchSize;
            this.passSeed = passSeed;
            this.total = (order.length + batchSize - 1) / batchSize;
            fill();
        }

        private void fill() {
            if (threads == 0) {
                return;
            }
            ExecutorService p = pool();
            while (submitted < total && submitted - returned < 2 * threads) {
                int b = submitted++;
                ahead.add(p.submit(() -> build(samples, order, batchSize, b, passSeed)));
            }
        }

        @Override
        public boolean hasNext() {
            return returned < total;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (threads == 0) {
                return build(samples, order, batchSize, returned++, passSeed);
            }
            Future<Batch> f = ahead.poll();
            returned++;
            fill();
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("building a batch failed", e.getCause());
            }
        }
    }
}
