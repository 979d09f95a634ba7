import Foundation

/// The folder GenLab keeps what it can make again in (trained evaluation classifiers, decoded
/// datasets): `$GENLAB_CACHE`, else `$XDG_CACHE_HOME/genlab`, else `~/.cache/genlab`.
public enum CacheFolder {
    /// The cache folder of this process's environment.
    public static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["GENLAB_CACHE"], !folder.isEmpty { return folder }
        if let folder = environment["XDG_CACHE_HOME"], !folder.isEmpty { return "\(folder)/genlab" }
        return "\(NSHomeDirectory())/.cache/genlab"
    }
}
