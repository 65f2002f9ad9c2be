from rest_framework.pagination import PageNumberPagination


class PageNumbers(PageNumberPagination):
    """DRF's page numbers, with the schema saying what the server enforces: pages count from 1
    (a page past the last, or page 0, answers 404 in JSON)."""

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters
