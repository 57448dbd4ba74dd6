/// A page or picture that cannot be made from what it was given; each description is one line.
public enum ReportError: UserError, Equatable {
    /// Inputs of the explore page that do not fit together.
    case inconsistentPage(String)
    /// A plot or PNG that cannot be drawn or encoded.
    case picture(String)

    public var description: String {
        switch self {
        case .inconsistentPage(let reason): "explore page: \(reason)"
        case .picture(let reason): reason
        }
    }
}
