package dev.vmm.console.serial;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Copies a port's guest output to every connected client, and keeps the scrollback a late client
 * starts with.
 *
 * <pre>
 *   ConsolePort.flush() --publish(chunk)--> Scrollback.append
 *                                      \--> for each subscriber: ClientQueue.offer(chunk)
 *                                              accepted   -> subscriber.wake()        (drain on its loop)
 *                                              overflowed -> removed, subscriber.overflowed()
 *   new client --subscribe--> ClientQueue.offer(scrollback snapshot), then live chunks
 * </pre>
 *
 * <p>Publishing costs the vCPU thread one lock, one ring copy and one offer per client; it never waits
 * for a socket. A subscriber's callbacks only schedule work on its event loop.
 *
 * <p>Thread safety: every method holds the fanout's lock, so a subscriber's snapshot and the first
 * chunk published after it are adjacent: a late client sees each byte of the scrollback window once,
 * in order. Callbacks run under the lock and must not block or call back into the fanout.
 */
final class Fanout {

    /** One client as the fanout sees it. */
    interface Subscriber {
        /** Its queue of pending output. */
        ClientQueue queue();

        /** Bytes were queued: schedule a drain on the client's event loop. */
        void wake();

        /** Its queue overflowed and it was unsubscribed: schedule the disconnection. */
        void overflowed();
    }

    private final Scrollback scrollback;
    private final List<Subscriber> subscribers = new ArrayList<>();

    Fanout(int scrollbackBytes) {
        this.scrollback = new Scrollback(scrollbackBytes);
    }

    /** Hands {@code chunk} (never modified afterwards) to the scrollback and to every subscriber. */
    synchronized void publish(byte[] chunk) {
        scrollback.append(chunk, 0, chunk.length);
        for (Iterator<Subscriber> it = subscribers.iterator(); it.hasNext(); ) {
            Subscriber s = it.next();
            if (s.queue().offer(chunk)) {
                s.wake();
            } else {
                it.remove();
                s.overflowed();
            }
        }
    }

    /** Adds a client; its queue first receives the scrollback. */
    synchronized void subscribe(Subscriber s) {
        byte[] replay = scrollback.snapshot();
        if (!s.queue().offer(replay)) {
            s.overflowed();   // a queue smaller than the scrollback: the server's settings prevent it
            return;
        }
        subscribers.add(s);
        s.wake();
    }

    synchronized void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    synchronized int subscriberCount() {
        return subscribers.size();
    }

    synchronized byte[] scrollbackSnapshot() {
        return scrollback.snapshot();
    }
}
