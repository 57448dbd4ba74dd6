import Foundation

/// The local Hugging Face hub cache, laid out as `huggingface_hub` writes it: `<root>/datasets--owner--name/` (or
/// `models--owner--name/`) holding `refs/<revision>` (a file with the commit hash) and `snapshots/<hash>/…` (the
/// repository's files, as links into `blobs/`). Embeval only reads it: downloading is Python's job, and every "not
/// found" says which command does it.
public struct HubCache: Sendable, Equatable {
    /// What a repository holds; its folder in the cache starts with the plural.
    public enum Kind: String, Sendable {
        case dataset, model
        var folderPrefix: String { rawValue + "s--" }
    }

    /// The cache folder: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (huggingface_hub's order).
    public var root: URL

    public init(root: URL) { self.root = root }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let cache = environment["HF_HUB_CACHE"], !cache.isEmpty {
            root = URL(fileURLWithPath: cache)
        } else if let home = environment["HF_HOME"], !home.isEmpty {
            root = URL(fileURLWithPath: home).appendingPathComponent("hub")
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            root = URL(fileURLWithPath: home).appendingPathComponent(".cache/huggingface/hub")
        }
    }

    /// Whether `text` has the shape of a hub repository id: `owner/name`, each part letters, digits, `-`, `_` or `.`,
    /// not starting with a punctuation mark, without `--` or `..` (the hub's own rules).
    public static func isRepositoryID(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            guard let first = part.first, first.isASCII, first.isLetter || first.isNumber, part.count <= 96 else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
                && !part.contains("--") && !part.contains("..")
        }
    }

    /// `<root>/datasets--owner--name` (or `models--…`).
    public func folder(of repository: String, kind: Kind) -> URL {
        root.appendingPathComponent(kind.folderPrefix + repository.replacingOccurrences(of: "/", with: "--"))
    }

    /// The snapshot folder of `repository` at `revision` (default `main`): `snapshots/<revision>` when the revision is a
    /// commit hash held there, else `snapshots/<hash in refs/<revision>>`. Nil when the cache does not hold it.
    public func snapshot(of repository: String, kind: Kind, revision: String? = nil) -> URL? {
        let revision = revision ?? "main"
        guard Self.isSafeRevision(revision) else { return nil }
        let folder = folder(of: repository, kind: kind)
        let snapshots = folder.appendingPathComponent("snapshots")
        if !revision.contains("/"), isDirectory(snapshots.appendingPathComponent(revision)) {
            return snapshots.appendingPathComponent(revision)
        }
        let ref = folder.appendingPathComponent("refs").appendingPathComponent(revision)
        guard let data = FileManager.default.contents(atPath: ref.path), data.count <= 256,
              let hash = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              hash.isPlainFileName else { return nil }
        let snapshot = snapshots.appendingPathComponent(hash)
        return isDirectory(snapshot) ? snapshot : nil
    }

    /// Where `snapshot(of:)` looks, for messages: `<folder>/snapshots/<refs/main>`.
    public func lookedIn(_ repository: String, kind: Kind, revision: String?) -> String {
        folder(of: repository, kind: kind).appendingPathComponent("snapshots").path + "/<refs/\(revision ?? "main")>"
    }

    /// The one command that downloads `repository` into this cache.
    public static func downloadCommand(_ repository: String, kind: Kind, revision: String?) -> String {
        let quoted = { (text: String) in "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        var arguments = [quoted(repository)]
        if kind == .dataset { arguments.append("repo_type='dataset'") }
        if let revision { arguments.append("revision=\(quoted(revision))") }
        return "python -c \"from huggingface_hub import snapshot_download; snapshot_download(\(arguments.joined(separator: ", ")))\""
    }

    /// A revision names a branch, tag (`refs/convert/parquet` has slashes) or commit; never a way out of the folder.
    static func isSafeRevision(_ revision: String) -> Bool {
        !revision.isEmpty && !revision.hasPrefix("/") && !revision.split(separator: "/").contains { $0 == ".." || $0 == "." }
            && !revision.contains("\0")
    }

    private func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
