/// Suggestions for misspelt names: the candidate with the smallest edit distance.
enum NearestKey {
    /// The candidate closest to `word`, if one is close enough to be a likely typo
    /// (distance at most 2, or a third of the word's length for long words).
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = max(2, word.count / 3)
        return best.1 <= limit ? best.0 : nil
    }

    /// Levenshtein distance (insertions, deletions, substitutions; a transposition counts 2).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// "unknown key 'bta' — did you mean 'beta'?" or a list of the valid keys.
    static func unknownMessage(_ what: String, _ name: String, valid: [String]) -> String {
        if let near = suggestion(for: name, among: valid) {
            return "unknown \(what) '\(name)' — did you mean '\(near)'?"
        }
        return "unknown \(what) '\(name)'; expected one of: \(valid.joined(separator: ", "))"
    }
}
