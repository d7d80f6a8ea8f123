// Route 53 Profiles client with the public surface of @aws-sdk/client-route53profiles.
export * from './client.js';
export * from './commands.js';
export * from './errors.js';
export * from './models.js';
export * from './paginators.js';
