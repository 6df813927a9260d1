package org.fer4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.fer4j.engine.train.Trainer;

/**
 * Ctrl-C during training: the JVM runs shutdown hooks on SIGINT and exits when they return, so
 * the hook asks the trainer to stop after its current batch and then waits (up to a minute)
 * until the command has written its checkpoint. A second Ctrl-C is not caught: the last
 * epoch's checkpoint is still intact on disk.
 */
final class Interrupts implements AutoCloseable {
    private static final long SAVE_WAIT_SECONDS = 60;

    private final Thread hook;
    private final CountDownLatch saved = new CountDownLatch(1);
    private volatile boolean interrupted;

    private Interrupts(Trainer trainer, PrintWriter err) {
        hook = new Thread(() -> {
            interrupted = true;
            err.println();
            err.println("fer4j: interrupted; finishing the current batch and saving a checkpoint ...");
            err.flush();
            trainer.requestStop();
            try {
                saved.await(SAVE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fer4j-interrupt");
    }

    static Interrupts install(Trainer trainer, PrintWriter err) {
        Interrupts i = new Interrupts(trainer, err);
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    boolean interrupted() {
        return interrupted;
    }

    /** Lets the JVM finish exiting: the checkpoint is on disk. */
    void saved() {
        saved.countDown();
    }

    @Override
    public void close() {
        saved.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running: the JVM exits once saved() has been called.
        }
    }
}
