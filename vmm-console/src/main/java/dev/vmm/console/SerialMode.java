package dev.vmm.console;

/** Where the guest's COM1 goes. */
public enum SerialMode {
    /** Guest output to stdout, stdin to the guest. */
    STDIO,
    /** Output discarded, nothing received. */
    NONE
}
