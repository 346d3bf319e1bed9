package io.gatekit.plugins.rewrite;

import java.util.regex.MatchResult;

/**
 * A replacement template of {@code ngx.re.sub}: {@code $0}..{@code $99} or {@code ${N}} for a
 * group, {@code $$} for a dollar; anything else after {@code $} is an error, found when the
 * config is applied, as OpenResty finds it when APISIX checks the config.
 */
final class NgxReplacement {

    /** Literal text and group numbers, alternating: a String or an Integer per part. */
    private final Object[] parts;

    private NgxReplacement(Object[] parts) {
        this.parts = parts;
    }

    /**
     * Parses {@code template} for a regex with {@code groups} groups.
     *
     * @throws IllegalArgumentException saying what is wrong, without a field name
     */
    static NgxReplacement parse(String template, int groups) {
        java.util.List<Object> parts = new java.util.ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < template.length() && template.charAt(i + 1) == '$') {
                literal.append('$');
                i += 2;
                continue;
            }
            int start = i + 1;
            boolean braced = start < template.length() && template.charAt(start) == '{';
            int from = braced ? start + 1 : start;
            int to = from;
            while (to < template.length() && Character.isDigit(template.charAt(to)) && to - from < 2) {
                to++;
            }
            if (to == from || (braced && (to >= template.length() || template.charAt(to) != '}'))) {
                throw new IllegalArgumentException("bad template: \"" + template + "\" at " + i
                        + " (expected: $N, ${N} or $$ after a $)");
            }
            int group = Integer.parseInt(template.substring(from, to));
            if (group > groups) {
                throw new IllegalArgumentException("bad template: \"" + template + "\" refers to group " + group
                        + " (expected: a group of the regex, 0.." + groups + ")");
            }
            if (literal.length() > 0) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(group);
            i = braced ? to + 1 : to;
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return new NgxReplacement(parts.toArray());
    }

    /** The replacement for {@code match}; an unmatched group gives nothing. */
    String expand(MatchResult match) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Integer group) {
                String value = match.group(group);
                if (value != null) {
                    out.append(value);
                }
            } else {
                out.append((String) part);
            }
        }
        return out.toString();
    }
}
