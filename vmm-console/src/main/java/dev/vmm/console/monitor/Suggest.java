package dev.vmm.console.monitor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** "Did you mean": the known words closest to a mistyped one by Levenshtein distance. */
final class Suggest {
    private Suggest() { }

    /** Candidates within distance max(1, len/2) of {@code word} (or starting with it), closest first, at most 3. */
    static List<String> closest(String word, Collection<String> known) {
        int limit = Math.max(1, word.length() / 2);
        List<String> out = new ArrayList<>();
        for (String k : known) if (distance(word, k) <= limit || k.startsWith(word)) out.add(k);
        out.sort(Comparator.comparingInt((String k) -> distance(word, k)).thenComparing(k -> k));
        return out.size() > 3 ? out.subList(0, 3) : out;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
