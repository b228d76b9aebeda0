// D1 access for todos. Every statement filters by owner, so another user's todo looks exactly like a missing one.
import type { CreateTodoInput, UpdateTodoInput } from './todo-input.js';

/** A todo as the API returns it. */
export interface Todo {
  id: string;
  title: string;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
}

interface TodoRow {
  id: string;
  title: string;
  completed: number;
  created_at: string;
  updated_at: string;
}

const columns = 'id, title, completed, created_at, updated_at';

export async function listTodos(db: D1Database, owner: string): Promise<Todo[]> {
  // rowid breaks ties between todos created in the same millisecond, keeping "newest first" exact.
  const { results } = await db
    .prepare(`SELECT ${columns} FROM todos WHERE owner = ?1 ORDER BY created_at DESC, rowid DESC`)
    .bind(owner)
    .all<TodoRow>();
  return results.map(toTodo);
}

export async function createTodo(db: D1Database, owner: string, input: CreateTodoInput): Promise<Todo> {
  const now = new Date().toISOString();
  const row = await db
    .prepare(`INSERT INTO todos (id, owner, title, completed, created_at, updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?4) RETURNING ${columns}`)
    .bind(crypto.randomUUID(), owner, input.title, now)
    .first<TodoRow>();
  if (row === null) throw new Error('INSERT … RETURNING returned no row');
  return toTodo(row);
}

/** Updates the caller's todo in one statement; `null` when it does not exist or belongs to someone else. */
export async function updateTodo(db: D1Database, owner: string, id: string, input: UpdateTodoInput): Promise<Todo | null> {
  const completed = input.completed === undefined ? null : input.completed ? 1 : 0;
  const row = await db
    .prepare(
      `UPDATE todos SET title = COALESCE(?1, title), completed = COALESCE(?2, completed), updated_at = ?3
       WHERE id = ?4 AND owner = ?5 RETURNING ${columns}`,
    )
    .bind(input.title ?? null, completed, new Date().toISOString(), id, owner)
    .first<TodoRow>();
  return row === null ? null : toTodo(row);
}

/** Deletes the caller's todo; `false` when it does not exist or belongs to someone else. */
export async function deleteTodo(db: D1Database, owner: string, id: string): Promise<boolean> {
  const result = await db.prepare('DELETE FROM todos WHERE id = ?1 AND owner = ?2').bind(id, owner).run();
  return result.meta.changes > 0;
}

function toTodo(row: TodoRow): Todo {
  return { id: row.id, title: row.title, completed: row.completed === 1, createdAt: row.created_at, updatedAt: row.updated_at };
}
