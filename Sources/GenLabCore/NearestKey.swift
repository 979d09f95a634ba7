/// Suggestions for misspelt names: the candidate with the smallest edit distance.
public enum NearestKey {
    /// The candidate closest to `word`, if one is close enough to be a likely typo
    /// (distance at most 2, or a third of the word's length for long words).
    /// Ties go to the candidate whose length is closest to the word's.
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased()), abs($0.count - word.count)) }
        guard let best = scored.min(by: { ($0.1, $0.2) < ($1.1, $1.2) }) else { return nil }
        let limit = max(2, word.count / 3)
        return best.1 <= limit ? best.0 : nil
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and
    /// transpositions of neighbours each count 1.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// "unknown key 'bta' — did you mean 'beta'?" or a list of the valid names, followed by
    /// where (" (in 'model')") when `path` is given.
    public static func unknownMessage(_ what: String, _ name: String, valid: [String], in path: String? = nil) -> String {
        let place = path.map { $0.isEmpty ? " (at the top level)" : " (in '\($0)')" } ?? ""
        if let near = suggestion(for: name, among: valid) {
            return "unknown \(what) '\(name)' — did you mean '\(near)'?\(place)"
        }
        return "unknown \(what) '\(name)'\(place); expected one of: \(valid.joined(separator: ", "))"
    }
}
