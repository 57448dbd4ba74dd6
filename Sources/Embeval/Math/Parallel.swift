import Dispatch

/// Data-parallel loops over the machine's cores.
enum Parallel {
    /// `(0..<count).map(body)`, with the calls spread over threads; results keep their order.
    static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        let shared = SharedSlots(slots)
        DispatchQueue.concurrentPerform(iterations: count) { i in shared.slots[i] = body(i) }
        return slots.map { $0! }
    }
}

/// Disjoint slots written by concurrent iterations, one index each.
private struct SharedSlots<T>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<T?>
    init(_ slots: UnsafeMutableBufferPointer<T?>) { self.slots = slots }
}
