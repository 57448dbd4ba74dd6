import Foundation

extension ProcessInfo {
    /// Cores this process may use: the size of thread pools for decoding and per-row work.
    public static var activeCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
