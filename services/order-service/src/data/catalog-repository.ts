import { type Pool } from '@sightline/service';
import { faults } from '../faults.ts';
import type { Product } from '../domain/order.ts';
import type { Catalog } from '../domain/ports.ts';

interface ProductRow {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
}

function toProduct(row: ProductRow): Product {
  return { sku: row.sku, name: row.name, priceCents: row.price_cents, currency: row.currency };
}

export class PostgresCatalog implements Catalog {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async list(): Promise<Product[]> {
    return (await this.products('order by sku')).map(toProduct);
  }

  async findBySkus(skus: string[]): Promise<Product[]> {
    return (await this.products('where sku = any($1)', [skus])).map(toProduct);
  }

  /**
   * The slowDatabase drill makes the statement itself slow: it waits inside PostgreSQL
   * (`pg_sleep` in a one-row CTE joined to the query), so the pg span holds the slow query
   * and its text shows why, as a missing index or a lock would show in a real incident.
   */
  private async products(clause: string, values: unknown[] = []): Promise<ProductRow[]> {
    const slow = await faults.active('slowDatabase');
    const sql = slow
      ? `with pause as materialized (select pg_sleep($${values.length + 1}))
         select sku, name, price_cents, currency from products, pause ${clause}`
      : `select sku, name, price_cents, currency from products ${clause}`;
    const { rows } = await this.pool.query<ProductRow>(
      sql,
      slow ? [...values, slow.delayMs / 1000] : values,
    );
    return rows;
  }
}
