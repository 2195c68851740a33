-- The todo app's one table. The server runs this file at every start:
-- IF NOT EXISTS makes that safe, so a new file gets the table and an old
-- one keeps its todos. Try it yourself: sqlite3 todo.sqlite3 < schema.sql
CREATE TABLE IF NOT EXISTS todos (
    -- AUTOINCREMENT: SQLite numbers the rows, and never gives a deleted
    -- todo's number to a new one, so an old URL cannot point at a new todo.
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    title     TEXT    NOT NULL,
    -- SQLite has no booleans: 0 is false, 1 is true.
    completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    -- The JSON API's "order" (a word SQL keeps for ORDER BY); NULL when a
    -- client gave none.
    position  INTEGER
);

-- At most 10,000 todos: one client must not be able to fill the disk.
-- The trigger runs inside each INSERT, so the count and the insert happen
-- together, and many clients at once cannot slip past the limit. The
-- server answers its message with 507 Insufficient Storage.
CREATE TRIGGER IF NOT EXISTS todos_at_most_10000
BEFORE INSERT ON todos
WHEN (SELECT count(*) FROM todos) >= 10000
BEGIN
    SELECT RAISE(ABORT, 'The list is full: it keeps at most 10,000 todos.');
END;
