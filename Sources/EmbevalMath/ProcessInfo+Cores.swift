import Foundation

extension ProcessInfo {
    /// Cores this process may use: the size of thread pools for decoding and per-row work (in tests, the count
    /// `Parallel.simulatingCores` sets).
    public static var activeCores: Int { Parallel.simulatedCores ?? max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
