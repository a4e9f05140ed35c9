"""Software catalog: releases and images, file-name grammar, blob storage, digests."""
