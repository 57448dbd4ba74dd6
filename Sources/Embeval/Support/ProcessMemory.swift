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

    /// Neighbour lists (`neighbours` for each of `points`, `bytesPerNeighbour` each as a command keeps them, measured)
    /// that would take more than half of `memoryBytes`: the bytes they would take and the most neighbours a point
    /// that fit; nil when they fit. Asked before a search, whose lists grow with the data and a k the user sets.
    public static func neighbourListExcess(points: Int, neighbours: Int, bytesPerNeighbour: Int,
                                           memoryBytes: Int = limit) -> (needed: Int, most: Int)? {
        let (perPoint, wide) = max(neighbours, 0).multipliedReportingOverflow(by: bytesPerNeighbour)
        let (needed, overflow) = perPoint.multipliedReportingOverflow(by: max(points, 0))
        guard wide || overflow || needed > memoryBytes / 2 else { return nil }
        return (wide || overflow ? Int.max : needed, memoryBytes / 2 / max(1, bytesPerNeighbour * max(points, 1)))
    }

    /// `bytes` for a message: "10.8 GB", "250 MB" or "4096 bytes".
    public static func readable(_ bytes: Int) -> String {
        bytes >= 1_000_000_000 ? String(format: "%.1f GB", Double(bytes) / 1e9)
            : bytes >= 1_000_000 ? String(format: "%.0f MB", Double(bytes) / 1e6) : "\(bytes) bytes"
    }
}
