from archivist.core.errors import AppError, InvalidPayload, NotFound


class UploadTooLarge(AppError):
    status_code = 413
    detail = "The file is too large"


class EmptyUpload(InvalidPayload):
    detail = "The file is empty"


class UnsupportedFileType(AppError):
    status_code = 415
    detail = "This type of file cannot be processed"


class FileNotFound(NotFound):
    detail = "File not found"
