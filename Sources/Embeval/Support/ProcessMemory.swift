import Foundation

/// The most memory this process may use: the smallest of the machine's physical memory, its address-space and data
/// limits (`ulimit -v`, `ulimit -d`) and its control group's limit (a container's `memory.max`). Read once.
///
/// An allocation past it fails, and a failed Swift allocation traps; code that sizes a buffer from its input checks
/// the size against this first and refuses the input with a one-line error instead.
public enum ProcessMemory {
    public static let limit: Int = {
        var smallest = clamp(ProcessInfo.processInfo.physicalMemory)
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var bound = rlimit()
            if getrlimit(__rlimit_resource_t(resource.rawValue), &bound) == 0 {   // unlimited is the largest value, clamped
                smallest = min(smallest, clamp(UInt64(bound.rlim_cur)))
            }
        }
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               let bytes = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                smallest = min(smallest, clamp(bytes))
            }
        }
        return max(smallest, 1)
    }()

    private static func clamp(_ bytes: UInt64) -> Int { bytes > UInt64(Int.max) ? Int.max : Int(bytes) }

    /// `bytes` for a message: "10.8 GB", "250 MB" or "4096 bytes".
    public static func readable(_ bytes: Int) -> String {
        bytes >= 1_000_000_000 ? String(format: "%.1f GB", Double(bytes) / 1e9)
            : bytes >= 1_000_000 ? String(format: "%.0f MB", Double(bytes) / 1e6) : "\(bytes) bytes"
    }
}
