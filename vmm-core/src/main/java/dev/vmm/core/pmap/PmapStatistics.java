package dev.vmm.core.pmap;

/** struct pmap_statistics, a snapshot of pm_stats: mapped pages (with page-table pages) and wired pages. */
public record PmapStatistics(long residentCount, long wiredCount) { }
