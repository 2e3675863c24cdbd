// Placeholder: replaced by the database bootstrap (embedded PostgreSQL or DATABASE_URL).
export default async function setup(): Promise<void> {}
