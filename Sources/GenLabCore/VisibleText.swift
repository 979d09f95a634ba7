extension String {
    /// The text with each control character as Swift writes it in a literal (`\n`, `\t`,
    /// `\u{1B}`): text from a file, safe to print on a terminal.
    public var visible: String {
        guard unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return self }
        return unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
    }
}
