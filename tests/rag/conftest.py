from tests.fixtures.corpus import built_sample_index, sample_data_dir  # noqa: F401
