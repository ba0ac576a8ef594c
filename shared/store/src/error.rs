use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// What can go wrong at the store boundary, in terms callers can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the email address is already registered")]
    EmailTaken,
    #[error("the item was not found")]
    NotFound,
    /// DynamoDB refused for capacity reasons; the caller may retry later.
    #[error("the store is throttling requests: {0}")]
    Throttled(String),
    /// DynamoDB could not be reached (connection refused, timed out): retry later.
    #[error("the store is unreachable: {0}")]
    Unavailable(String),
    #[error("DynamoDB {operation} failed: {message}")]
    Backend { operation: &'static str, message: String },
    /// A pagination cursor this store did not issue.
    #[error("the cursor is not one this API issued")]
    BadCursor,
    #[error("stored item is malformed: {0}")]
    Malformed(String),
}

impl StoreError {
    pub(crate) fn backend<E, R>(operation: &'static str, error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let throttled = matches!(
            error.code(),
            Some("ProvisionedThroughputExceededException" | "ThrottlingException" | "RequestLimitExceeded")
        );
        // A missing table is, from a function's side, the same outage as a dead endpoint.
        let unreachable = matches!(error, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_))
            || error.code() == Some("ResourceNotFoundException");
        let message = DisplayErrorContext(&error).to_string();
        if throttled {
            Self::Throttled(message)
        } else if unreachable {
            Self::Unavailable(message)
        } else {
            Self::Backend { operation, message }
        }
    }

    pub(crate) fn build(error: impl std::fmt::Display) -> Self {
        Self::Backend { operation: "build request", message: error.to_string() }
    }
}

/// A conditional write's result: `Some` when it was applied, `None` when its condition
/// failed (a normal outcome for the callers: someone else got there first).
pub(crate) fn conditional<T, E, R>(
    operation: &'static str,
    result: Result<T, SdkError<E, R>>,
) -> Result<Option<T>, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(error) if error.code() == Some("ConditionalCheckFailedException") => Ok(None),
        Err(error) => Err(StoreError::backend(operation, error)),
    }
}

impl From<serde_dynamo::Error> for StoreError {
    fn from(error: serde_dynamo::Error) -> Self {
        Self::Malformed(error.to_string())
    }
}
