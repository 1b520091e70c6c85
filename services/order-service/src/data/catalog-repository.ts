import type { Pool } from '@sightline/telemetry';
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
    const { rows } = await this.pool.query<ProductRow>(
      'select sku, name, price_cents, currency from products order by sku',
    );
    return rows.map(toProduct);
  }

  async findBySkus(skus: string[]): Promise<Product[]> {
    const { rows } = await this.pool.query<ProductRow>(
      'select sku, name, price_cents, currency from products where sku = any($1)',
      [skus],
    );
    return rows.map(toProduct);
  }
}
