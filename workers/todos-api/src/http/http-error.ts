// The one exception type of the Todos API: status, public problem details, RFC 6750 challenge, private cause.

/** A field-level validation failure, returned in the `errors` array of a 400. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface HttpErrorOptions {
  /** Stable machine-readable code (OAuth/RFC 6750 codes where they exist), e.g. `invalid_token`. */
  code: string;
  /** Human-readable explanation safe to show to the client. Never contains tokens or internals. */
  detail: string;
  /** `WWW-Authenticate` challenge (RFC 6750 §3) for 401/403 responses. */
  wwwAuthenticate?: string;
  /** Extra response headers, e.g. `Allow` on a 405. */
  headers?: Record<string, string>;
  fieldErrors?: readonly FieldError[];
  /** The real reason, for logs only: never serialised to the client. */
  cause?: unknown;
}

/** Body of every error response (RFC 9457-style problem details plus the OAuth `error` code). */
export interface ProblemBody {
  title: string;
  status: number;
  detail: string;
  error: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly wwwAuthenticate: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly fieldErrors: readonly FieldError[] | undefined;

  constructor(status: number, options: HttpErrorOptions) {
    super(`${status} ${options.code}: ${options.detail}`, { cause: options.cause });
    this.status = status;
    this.code = options.code;
    this.detail = options.detail;
    this.wwwAuthenticate = options.wwwAuthenticate;
    this.headers = options.headers ?? {};
    this.fieldErrors = options.fieldErrors;
  }

  /** The client-facing body: no cause, no stack. */
  toProblem(): ProblemBody {
    const body: ProblemBody = {
      title: titles[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      error: this.code,
    };
    if (this.fieldErrors !== undefined) body.errors = [...this.fieldErrors];
    return body;
  }

  toResponse(): Response {
    const headers = new Headers(this.headers);
    headers.set('Content-Type', 'application/problem+json');
    headers.set('Cache-Control', 'no-store');
    if (this.wwwAuthenticate !== undefined) headers.set('WWW-Authenticate', this.wwwAuthenticate);
    return new Response(JSON.stringify(this.toProblem()), { status: this.status, headers });
  }
}
