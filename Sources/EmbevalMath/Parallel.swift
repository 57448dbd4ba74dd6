import Dispatch
import Foundation

/// Data-parallel loops over the machine's cores: the one place the numeric kernels hand work to threads.
///
/// The kernels write disjoint parts of shared buffers from each iteration (one row range each). That is safe by
/// construction but not expressible to the compiler's `Sendable` checking, so the hand-off is unchecked here, once,
/// and every kernel calls these instead of `DispatchQueue.concurrentPerform`.
public enum Parallel {
    /// Set by `simulatingCores`: the core count `ProcessInfo.activeCores` reports in its scope.
    @TaskLocal static var simulatedCores: Int? = nil

    /// Runs `body` as if the machine had `cores` cores (`ProcessInfo.activeCores`, so default chunk counts follow),
    /// with every `Parallel` loop it starts done on the calling thread in index order: for checking that a result
    /// does not depend on the number of cores or on the threads' schedule.
    public static func simulatingCores<R>(_ cores: Int, _ body: () throws -> R) rethrows -> R {
        try $simulatedCores.withValue(max(1, cores)) { try body() }
    }

    /// Runs `body(0)`, …, `body(iterations − 1)` spread over threads; returns when all are done.
    public static func forEach(_ iterations: Int, _ body: (Int) -> Void) {
        guard iterations > 0 else { return }
        if iterations == 1 { body(0); return }
        if simulatedCores != nil { for i in 0..<iterations { body(i) }; return }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: iterations) { shared.value($0) }
        }
    }

    /// Splits `0..<count` into at most `chunks` contiguous ranges of near-equal size (default: 8 per active core,
    /// so uneven rows balance out) and runs `body` on each in parallel.
    public static func forEachRange(_ count: Int, chunks: Int? = nil, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let n = max(1, min(count, chunks ?? 8 * ProcessInfo.activeCores))
        forEach(n) { c in body((c * count / n)..<((c + 1) * count / n)) }
    }

    /// `body` over the ranges of `forEachRange`, results in range order (e.g. partial sums to add up in a fixed order).
    public static func mapRanges<T>(_ count: Int, chunks: Int? = nil, _ body: (Range<Int>) -> T) -> [T] {
        guard count > 0 else { return [] }
        let n = max(1, min(count, chunks ?? 8 * ProcessInfo.activeCores))
        return map(n) { c in body((c * count / n)..<((c + 1) * count / n)) }
    }

    /// `(0..<count).map(body)`, with the calls spread over threads; results keep their order.
    public static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        forEach(count) { i in slots[i] = body(i) }
        return slots.map { $0! }
    }
}

/// A value handed to concurrent iterations that only touch disjoint parts of what it reaches.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
