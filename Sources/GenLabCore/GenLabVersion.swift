/// GenLab's release, written into run files and printed by `genlab --version`.
public enum GenLabVersion {
    public static let current = "0.1.0"
}
