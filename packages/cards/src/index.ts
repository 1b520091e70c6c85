export { CardSchema, type Card } from './card.ts';
export { expiryIssue, passesLuhn } from './rules.ts';
export { describeCard, type CardDescription } from './description.ts';
