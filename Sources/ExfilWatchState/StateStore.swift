/// Placeholder replaced by the state store (issue 5).
enum StateStorePlaceholder {}
