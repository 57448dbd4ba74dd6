import Foundation

/// The last few groups of rows a store decoded (parquet row groups, Arrow record batches), shared by the threads that
/// prepare a batch of images. A group is loaded once: a thread asking for one that another thread is loading waits
/// for it rather than decoding it again. Memory stays at `capacity` groups, however large the dataset.
final class GroupCache<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Most recently used last.
    private var entries: [(key: Int, value: Value)] = []
    private var loading = Set<Int>()
    let capacity: Int

    /// Three groups: the one a batch is in, the next one a batch may reach into, and one to spare.
    init(capacity: Int = 3) { self.capacity = max(1, capacity) }

    /// The group `key`, loaded by `load` unless held. A failed load is not kept: the next caller tries again.
    func value(for key: Int, load: () throws -> Value) throws -> Value {
        condition.lock()
        while true {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                let entry = entries.remove(at: i)
                entries.append(entry)
                condition.unlock()
                return entry.value
            }
            if !loading.contains(key) { break }
            condition.wait()
        }
        loading.insert(key)
        condition.unlock()

        let result = Result { try load() }

        condition.lock()
        loading.remove(key)
        if case .success(let value) = result {
            entries.append((key, value))
            if entries.count > capacity { entries.removeFirst() }
        }
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }
}
