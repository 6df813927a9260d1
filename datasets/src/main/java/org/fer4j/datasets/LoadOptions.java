package org.fer4j.datasets;

import java.nio.file.Path;

/**
 * How a source is decoded and cached. Immutable; adjust a preset through its builder:
 * {@code LoadOptions.DEFAULT.toBuilder().skipBad(true).build()}.
 *
 * @param height   image height the model takes (every image is resampled to it); 8..1024
 * @param width    image width the model takes; 8..1024
 * @param skipBad  skip bad rows and files and count them, instead of stopping at the first
 * @param useCache read and write the decoded-data cache
 * @param cacheDir where the cache lives; {@code null} for the default ({@link DatasetCache#defaultDir()})
 * @param threads  threads that decode images; 0 for one per core
 * @param maxPixels images with more pixels are refused from their header, before decoding
 *                  ({@link Images#DEFAULT_MAX_PIXELS} by default)
 */
public record LoadOptions(int height, int width, boolean skipBad, boolean useCache, Path cacheDir, int threads,
                          long maxPixels) {

    /** 48x48, stop at the first bad row, cache in the default folder, one decoding thread per core. */
    public static final LoadOptions DEFAULT = new LoadOptions(48, 48, false, true, null, 0, Images.DEFAULT_MAX_PIXELS);

    public LoadOptions(int height, int width, boolean skipBad, boolean useCache, Path cacheDir, int threads) {
        this(height, width, skipBad, useCache, cacheDir, threads, Images.DEFAULT_MAX_PIXELS);
    }

    public LoadOptions {
        if (height < 8 || height > 1024 || width < 8 || width > 1024) {
            throw new IllegalArgumentException("--size must be in 8..1024 on each side, got " + width + "x" + height);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("decoding threads must be >= 0, got " + threads);
        }
        if (maxPixels < 1 || maxPixels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--max-pixels must be in 1.." + Integer.MAX_VALUE + ", got " + maxPixels);
        }
    }

    int decodeThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private int height;
        private int width;
        private boolean skipBad;
        private boolean useCache;
        private Path cacheDir;
        private int threads;
        private long maxPixels;

        private Builder(LoadOptions o) {
            maxPixels = o.maxPixels;
            height = o.height;
            width = o.width;
            skipBad = o.skipBad;
            useCache = o.useCache;
            cacheDir = o.cacheDir;
            threads = o.threads;
        }

        /** Square images of {@code size x size}. */
        public Builder size(int size) {
            return size(size, size);
        }

        public Builder size(int height, int width) {
            this.height = height;
            this.width = width;
            return this;
        }

        public Builder skipBad(boolean skip) {
            this.skipBad = skip;
            return this;
        }

        public Builder useCache(boolean use) {
            this.useCache = use;
            return this;
        }

        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        public Builder maxPixels(long n) {
            this.maxPixels = n;
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(height, width, skipBad, useCache, cacheDir, threads, maxPixels);
        }
    }
}
