window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1858412938475610112"
          ],
          "editableUntil" : "2026-11-18T10:12:44.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "design",
            "indices" : [
              "63",
              "70"
            ]
          }
        ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ],
        "media" : [
          {
            "expanded_url" : "https://x.com/maisonlumiere/status/1858412938475610112/photo/1",
            "indices" : [
              "71",
              "94"
            ],
            "url" : "https://t.co/Xq9LmP2aZk",
            "media_url" : "http://pbs.twimg.com/media/GcmXpQaWAAA1bcd.jpg",
            "id_str" : "1858412931122991104",
            "id" : "1858412931122991104",
            "media_url_https" : "https://pbs.twimg.com/media/GcmXpQaWAAA1bcd.jpg",
            "sizes" : {
              "large" : { "w" : "2048", "h" : "1365", "resize" : "fit" },
              "thumb" : { "w" : "150", "h" : "150", "resize" : "crop" }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/Xq9LmP2aZk"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "70"
      ],
      "favorite_count" : "42",
      "id_str" : "1858412938475610112",
      "truncated" : false,
      "retweet_count" : "7",
      "id" : "1858412938475610112",
      "created_at" : "Wed Nov 18 09:12:44 +0000 2026",
      "favorited" : false,
      "full_text" : "La nouvelle lampe Aurore est là : laiton brossé &amp; verre soufflé. #design https://t.co/Xq9LmP2aZk",
      "lang" : "fr",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/maisonlumiere/status/1858412938475610112/photo/1",
            "indices" : [
              "71",
              "94"
            ],
            "url" : "https://t.co/Xq9LmP2aZk",
            "media_url" : "http://pbs.twimg.com/media/GcmXpQaWAAA1bcd.jpg",
            "id_str" : "1858412931122991104",
            "id" : "1858412931122991104",
            "media_url_https" : "https://pbs.twimg.com/media/GcmXpQaWAAA1bcd.jpg",
            "type" : "photo",
            "display_url" : "pic.x.com/Xq9LmP2aZk"
          },
          {
            "expanded_url" : "https://x.com/maisonlumiere/status/1858412938475610112/photo/1",
            "indices" : [
              "71",
              "94"
            ],
            "url" : "https://t.co/Xq9LmP2aZk",
            "media_url" : "http://pbs.twimg.com/media/GcmXpQbXoAAe9fG.png",
            "id_str" : "1858412931123001344",
            "id" : "1858412931123001344",
            "media_url_https" : "https://pbs.twimg.com/media/GcmXpQbXoAAe9fG.png",
            "type" : "photo",
            "display_url" : "pic.x.com/Xq9LmP2aZk"
          }
        ]
      }
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1858420011223344556"
          ],
          "editableUntil" : "2026-11-18T10:40:02.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [
          {
            "name" : "Marie Dupont",
            "screen_name" : "marie_dpt",
            "indices" : [
              "0",
              "10"
            ],
            "id_str" : "2244994945",
            "id" : "2244994945"
          }
        ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "101"
      ],
      "favorite_count" : "1",
      "in_reply_to_status_id_str" : "1858415500112233445",
      "id_str" : "1858420011223344556",
      "in_reply_to_user_id" : "2244994945",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1858420011223344556",
      "in_reply_to_status_id" : "1858415500112233445",
      "created_at" : "Wed Nov 18 09:40:02 +0000 2026",
      "favorited" : false,
      "full_text" : "@marie_dpt Désolés Marie ! Envoyez-nous votre numéro de commande en DM, on s'en occupe &lt;3",
      "lang" : "fr",
      "in_reply_to_screen_name" : "marie_dpt",
      "in_reply_to_user_id_str" : "2244994945"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          {
            "url" : "https://t.co/8IkCzCDr19",
            "expanded_url" : "https://maison-lumiere.example/atelier",
            "display_url" : "maison-lumiere.example/atelier",
            "indices" : [
              "52",
              "75"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "75"
      ],
      "favorite_count" : "12",
      "in_reply_to_status_id_str" : "1858412938475610112",
      "id_str" : "1858430000111222333",
      "in_reply_to_user_id" : "1120000000000000001",
      "truncated" : false,
      "retweet_count" : "2",
      "id" : "1858430000111222333",
      "in_reply_to_status_id" : "1858412938475610112",
      "created_at" : "Wed Nov 18 10:20:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Chaque pièce est soufflée à la main dans notre atelier https://t.co/8IkCzCDr19",
      "lang" : "fr",
      "in_reply_to_screen_name" : "maisonlumiere",
      "in_reply_to_user_id_str" : "1120000000000000001"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [
          {
            "name" : "Salon Maison&Objet",
            "screen_name" : "MaisonObjet",
            "indices" : [
              "3",
              "15"
            ],
            "id_str" : "88776655",
            "id" : "88776655"
          }
        ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "86"
      ],
      "favorite_count" : "0",
      "id_str" : "1859000000000000001",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1859000000000000001",
      "created_at" : "Fri Nov 20 08:00:00 +0000 2026",
      "favorited" : false,
      "full_text" : "RT @MaisonObjet: Rendez-vous en janvier pour la prochaine édition du salon, hall 5 !",
      "lang" : "fr"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "23"
      ],
      "favorite_count" : "31",
      "id_str" : "1859100000000000002",
      "truncated" : false,
      "retweet_count" : "4",
      "id" : "1859100000000000002",
      "created_at" : "Fri Nov 20 15:30:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Behind the scenes 🎥 https://t.co/Vd3oPq8RrT",
      "lang" : "en",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/maisonlumiere/status/1859100000000000002/video/1",
            "indices" : [
              "20",
              "43"
            ],
            "url" : "https://t.co/Vd3oPq8RrT",
            "media_url" : "http://pbs.twimg.com/amplify_video_thumb/1859099990000000000/img/kX3aB9.jpg",
            "id_str" : "1859099990000000000",
            "video_info" : {
              "aspect_ratio" : [
                "16",
                "9"
              ],
              "duration_millis" : "14981",
              "variants" : [
                {
                  "content_type" : "application/x-mpegURL",
                  "url" : "https://video.twimg.com/amplify_video/1859099990000000000/pl/Zt1.m3u8?tag=16"
                },
                {
                  "bitrate" : "832000",
                  "content_type" : "video/mp4",
                  "url" : "https://video.twimg.com/amplify_video/1859099990000000000/vid/avc1/640x360/lo.mp4?tag=16"
                },
                {
                  "bitrate" : "2176000",
                  "content_type" : "video/mp4",
                  "url" : "https://video.twimg.com/amplify_video/1859099990000000000/vid/avc1/1280x720/hi.mp4?tag=16"
                }
              ]
            },
            "id" : "1859099990000000000",
            "media_url_https" : "https://pbs.twimg.com/amplify_video_thumb/1859099990000000000/img/kX3aB9.jpg",
            "type" : "video",
            "display_url" : "pic.x.com/Vd3oPq8RrT"
          }
        ]
      }
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "3"
      ],
      "favorite_count" : "5",
      "id_str" : "1859200000000000003",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1859200000000000003",
      "created_at" : "Sat Nov 21 17:00:00 +0000 2026",
      "favorited" : false,
      "full_text" : "✨💡✨",
      "lang" : "qme"
    }
  }
]
