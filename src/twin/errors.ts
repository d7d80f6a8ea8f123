// One error type for every AWS API error the twin returns: each wire front end renders it in
// its protocol's real error format (REST-XML ErrorResponse, EC2 Response/Errors, REST-JSON).

export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    /** Extra members the model declares on the error shape (FieldName, ResourceType, ...). */
    readonly extra: Record<string, string> = {},
    /** Sender (client) fault vs Receiver (service) fault, as Route 53's <Type> says. */
    readonly fault: 'Sender' | 'Receiver' = httpStatus >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = 'AwsApiError';
  }
}

export const isAwsApiError = (e: unknown): e is AwsApiError => e instanceof AwsApiError;
